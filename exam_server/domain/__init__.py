"""Pure exam logic: no Flask, no SQLAlchemy, no I/O."""
