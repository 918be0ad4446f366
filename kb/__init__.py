"""kb: a self-service help centre with hybrid semantic + keyword search.

Data flows one way: articles -> sections -> indexes -> ranker -> web/CLI.
"""

__version__ = "0.1.0"
