"""The programme's rules: the forms' fields and code lists, the cut line (shortlist), the annual
catalogue (附件5) and the banks' portfolios (at most 20 projects each)."""
