"""Exit statuses of every ``review`` command, so a script can tell what went wrong.

====  =======================================================================================
 0    done
 1    an unexpected error: a bug (its traceback is shown; please report it)
 2    usage: the command line is wrong (an unknown option, a missing argument, not inside a
      review project, a folder ``review init`` will not overwrite, a project folder locked
      by another run or by one that was killed: ``review run --unlock``)
 3    data: the protocol or an input file is wrong; the message names the file, the key or row
      and the fix, and nothing was written (``review check`` lists every such problem); a
      sheet holding decisions not yet imported, or a reviewer name not declared, is refused
      this way too
 4    partial: part of the work was done and kept, part failed (a workflow rule failed after
      others had finished; a live update where one database failed): fix, then run again
130   interrupted (Ctrl-C)
====  =======================================================================================
"""

from __future__ import annotations

OK = 0
BUG = 1
USAGE = 2
DATA_ERROR = 3
PARTIAL = 4
INTERRUPTED = 130
