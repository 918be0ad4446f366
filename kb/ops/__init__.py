"""What a running help centre writes and reports: the feedback database, accounts, insights, learned questions,
and the retention and erasure of customers' personal data.

Independent of the search pipeline: imports nothing from ``kb.index`` or
``kb.search``; the web layer and the CLI use it.
"""
