"""The bulk benchmark's fixed cost: an interpreter that imports what both sides import, and nothing else."""

import json  # noqa: F401
import urllib3  # noqa: F401

import talon_one  # noqa: F401
