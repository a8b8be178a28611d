from smallbatch_desktop.cli import main

raise SystemExit(main())
