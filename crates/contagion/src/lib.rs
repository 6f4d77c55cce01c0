//! Contagion and crowding family: correlations, GARCH/DCC, absorption ratio, turbulence, Diebold-Yilmaz spillovers, co-crash detection.
