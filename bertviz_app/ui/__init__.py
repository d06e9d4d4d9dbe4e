"""Qt widgets, one module per panel. Never imports torch: panels get plain data from the controller."""
