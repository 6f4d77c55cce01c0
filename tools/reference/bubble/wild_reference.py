"""Phillips-Shi (2020) wild-bootstrap critical values from pyexuber (`radf_wb_ps_cv`, a port of
exuber's R/radf_wb.R with a fresh N(0,1) multiplier per observation) on the NASDAQ weekly anchor.
Writes crates/bubble/tests/fixtures/psy_wild_nasdaq_weekly.json.

Run: tools/reference/.venv-bubble/bin/python tools/reference/bubble/wild_reference.py
"""
import json
import sys
from pathlib import Path

import exuber

sys.path.insert(0, str(Path(__file__).parent))
import datasets  # noqa: E402

OUT = datasets.ROOT / "crates" / "bubble" / "tests" / "fixtures" / "psy_wild_nasdaq_weekly.json"


def main():
    dates, y = datasets.load("nasdaq_weekly")
    minw = 35  # rows = 36 observations
    nboot = 2000
    full = exuber.radf_wb_ps_cv(y, minw=minw, nboot=nboot, adflag=0, seed=123)
    tb = 2 * 52 + 36 - 1
    part = exuber.radf_wb_ps_cv(y, minw=minw, nboot=nboot, adflag=0, tb=tb, seed=124)
    out = {"dataset": "nasdaq_weekly", "window_obs": 36, "nboot": nboot, "adflag": 0, "rng": "numpy default_rng",
           "adf": full.adf_cv[0].tolist(), "sadf": full.sadf_cv[0].tolist(), "gsadf": full.gsadf_cv[0].tolist(),
           "tb": tb, "gsadf_tb": part.gsadf_cv[0].tolist()}
    OUT.write_text(json.dumps(out, indent=1))
    print(out)


if __name__ == "__main__":
    main()
