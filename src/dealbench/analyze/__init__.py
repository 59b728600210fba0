"""Analysis above solve and check: shadow prices and uncertainty."""

from dealbench.analyze.prices import CapPrice, LimitPrice, Prices, shadow_prices

__all__ = ["CapPrice", "LimitPrice", "Prices", "shadow_prices"]
