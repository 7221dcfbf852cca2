#!/usr/bin/env python
"""Kept for habit: the same as the `manyi` command."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from manyi.__main__ import main

if __name__ == "__main__":
    main()
