"""Report sections: each function computes (through the indicator engine), shows (through a Report) and explains
one part of a report. Notebooks call these; they hold no computation of their own."""
