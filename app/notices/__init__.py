"""Notices of decisions to applicants: what was decided, why, and the applicant's remedies."""
