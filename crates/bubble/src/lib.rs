//! Bubble family: PSY SADF/GSADF/BSADF date-stamping, LPPLS and the FCO confidence indicator, valuation stretch.
