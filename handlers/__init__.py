"""Internal service-task operators (opinion, ranking, lottery, contract) and lifecycle hooks."""
