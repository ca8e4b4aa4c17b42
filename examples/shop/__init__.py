"""A tiny example shop whose checkout asks Talon.One for discounts (see checkout.py)."""
