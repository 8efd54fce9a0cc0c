"""`python -m bench.generate`: fill a fresh, migrated database with benchmark data."""

from bench.generate import main

if __name__ == "__main__":
    raise SystemExit(main())
