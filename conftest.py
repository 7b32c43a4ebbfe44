"""Root conftest: a bare `pytest` runs in the book's canonical numerical environment too.

`make test` already starts pytest through tests/tools/numerics.py. For a reader who types
`pytest` directly, the values of numerics.env are written into os.environ here, before
any test module imports NumPy and before nbval starts a notebook kernel, which inherits
them. (Where the pins cannot apply, nothing changes and the mode is "tolerant".)
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tests" / "tools"))
import numerics  # noqa: E402

NUMERICS_MODE = numerics.apply()
