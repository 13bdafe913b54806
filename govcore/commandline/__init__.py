"""What every govcore command shares: help and click's own words in the reader's language."""
