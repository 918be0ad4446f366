"""Whose searches the insights count: customers'.

Staff signed in on the portal, or calling the API with a token, search as
``channel = 'agent'`` (kb/web/searched.py): trying things out, looking an answer up
for a customer who asked elsewhere, not a customer's own need. Every report leaves
their searches out, and the votes that came after them; learned questions keep a
staff phrasing for internal articles only (kb/ops/suggestions.py).
"""

CUSTOMER_SEARCH = "channel != 'agent'"  # a condition on searches
# a condition on feedback: not a vote after a staff search (a vote without a search cannot be told apart)
CUSTOMER_VOTE = ("NOT EXISTS (SELECT 1 FROM searches AS staff WHERE staff.token = feedback.search_token "
                 "AND staff.channel = 'agent')")
