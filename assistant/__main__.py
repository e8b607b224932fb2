"""Allow ``python -m assistant``."""

from assistant.cli.app import main

if __name__ == "__main__":
    main()
