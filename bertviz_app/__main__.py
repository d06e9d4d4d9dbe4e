import sys

from bertviz_app.cli import main

sys.exit(main())
