"""Documents: results rendered through Jinja2 templates."""

from dealbench.render.environment import money, render_clause, render_template
from dealbench.render.termsheet import render_term_sheet, term_sheet_context

__all__ = ["money", "render_clause", "render_template", "render_term_sheet", "term_sheet_context"]
