"""SQL models that build per-project metrics (`marts.*`) from the raw tables."""
