"""python -m codegen [--check] [--root DIR]"""

import argparse
import sys

from codegen import generate
from codegen.spec import SpecError


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m codegen",
        description="Generate talon_one/models/, talon_one/api/ and docs/ from spec/integration-api.json.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 listing the files that differ from a fresh generation")
    parser.add_argument("--root", default=generate.ROOT,
                        help="the repository to write into or check (default: this checkout)")
    args = parser.parse_args(argv)
    try:
        files = generate.generate()
    except SpecError as exc:
        print("codegen: %s" % exc, file=sys.stderr)
        return 2
    if args.check:
        stale = generate.differences(args.root, files)
        if stale:
            print("These generated files differ from a fresh generation (run `python -m codegen`):")
            for path in stale:
                print("  " + path)
            return 1
        print("codegen: %d generated files are up to date" % len(files))
        return 0
    touched = generate.write(args.root, files)
    for path in touched:
        print("wrote " + path if path in files else "removed " + path)
    print("codegen: %d files generated, %d changed" % (len(files), len(touched)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
