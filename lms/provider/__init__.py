"""The CE provider's own details: name, address, board provider numbers, signatory.

The blueprint lives in `views.py`, so importing the models never pulls in the views.
"""
