"""Shapes that cross a Hostplane process boundary: REST bodies, commands, events, topics."""
