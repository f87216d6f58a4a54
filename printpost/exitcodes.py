"""The exit status of every printpost command, in one place (`cli.main` returns one).

Usage errors (an unknown option, a bad value) are 2, as click reports them; a build
interrupted with Ctrl-C is 130, as a shell reports it.
"""

EXIT_OK = 0  # everything asked for was done
EXIT_BUILD_FAILED = 1  # rendering or writing failed; `check`: preflight found errors
EXIT_BAD_INPUT = 2  # invalid issue data, a missing file, a bad option or argument
EXIT_INTERRUPTED = 130  # Ctrl-C
