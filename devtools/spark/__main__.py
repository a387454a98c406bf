"""``python -m devtools.spark --port 8765 --seed 42 [--gps-active N ...] [--warm]``"""

from devtools.spark.server import main

if __name__ == "__main__":
    main()
