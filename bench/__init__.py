"""Haven's benchmark: ``make bench`` (``python -m bench``).

For each database (SQLite in a temporary directory; PostgreSQL in a fresh ``bench_<random>``
database, dropped afterwards) it migrates, loads the demo network, starts a real uvicorn server
on 127.0.0.1 and measures through HTTP:

- the all-shelters ``occupancy`` query, beside the hand-written SQL that gives the same figures
  (the floor) and the same reads made in process through the ORM;
- one ``checkIn`` (and, while freeing the beds again, ``checkOut``);

then writes ``bench/RESULTS.md`` and ``bench/results.json``.

    python -m bench                       # both databases
    python -m bench --databases sqlite    # one
"""
