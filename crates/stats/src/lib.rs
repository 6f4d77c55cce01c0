//! Numerical kernels with no finance words: OLS, eigen/PCA, VAR/FEVD, likelihoods, optimisers, quantiles, seeded RNG.
