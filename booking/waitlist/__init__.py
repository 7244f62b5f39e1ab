"""The waiting list journey: joining, the order of the list, answering offers, the monthly check."""
