"""Entry point of the frozen app (PyInstaller): the same command line as `bertviz-app`."""

import multiprocessing
import sys

from bertviz_app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen child process (e.g. a data-loader worker) must not rerun main()
    sys.exit(main())
