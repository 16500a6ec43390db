"""Use cases. Each public function is one transaction; none knows about HTTP."""
