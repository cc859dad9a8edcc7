"""The decision engine: criteria sets, validation, aggregation, panel statistics, ranking,
weighting, robustness (SMAA) and comparison of rankings. Pure functions over DataFrames."""
