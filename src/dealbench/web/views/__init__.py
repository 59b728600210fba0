"""One module per page family: portfolios (and solves), packages, documents."""
