"""The tablet app's entry point for Android packaging: buildozer runs `main.py` at the top of its
source folder (see buildozer.spec). On a desktop, use `python -m mobile` or `make mobile`."""

from mobile.main import main

if __name__ == "__main__":
    main([])
