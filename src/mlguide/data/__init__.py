"""Data and features: scaling, imputation, resampling and the other steps the `data/` pages show."""
