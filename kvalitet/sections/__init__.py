"""Report sections: each function computes (through the indicator engine and the named look-ups of
:mod:`kvalitet.indicators.lookups`), shows (through a Report) and explains one part of a report; the sections run no
SQL of their own. Notebooks call these; they hold no computation of their own.

One module per report (:mod:`.klager`, :mod:`.ankesager`, :mod:`.sagsbehandlingstid`, …) and the helpers they share,
one module per concern: :mod:`.scope` (who a report covers; the engine through it), :mod:`.values` (values and words
for readers), :mod:`.groups` (groups compared in the latest period), :mod:`.series` (a series over time, the
control chart), :mod:`.trends` (trend results) and :mod:`.method` ("Metode og data"). :mod:`.common` gathers them
under one name for the notebooks (``from kvalitet.sections import common``)."""
