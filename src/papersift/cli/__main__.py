"""`python -m papersift.cli`: the same program as the `papersift` command."""

from papersift.cli import main

main()
