"""Executes examples/python/quickstart.ipynb with nbclient (CI runs this so the notebook cannot rot)."""
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

path = Path(__file__).resolve().parents[3] / "examples" / "python" / "quickstart.ipynb"
nb = nbformat.read(path, as_version=4)
t0 = time.time()
NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
if errors:
    sys.exit(f"notebook errors: {errors}")
print(f"notebook {path.name}: {sum(c.cell_type == 'code' for c in nb.cells)} code cells executed in {time.time() - t0:.1f} s")
