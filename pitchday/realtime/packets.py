"""Garbage from a client (a packet that is not Socket.IO) is one line in the log, not a traceback.

Engine.IO logs every exception of its message handler with its traceback. When no frame of the
traceback is pitchday's own code, the exception comes from decoding what the client sent (bad
JSON, an unknown packet type, an unexpected packet): one line, with the packet's complaint, is
enough. An exception raised in pitchday's handlers keeps its full traceback.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import pitchday

ENGINEIO_LOGGER = "engineio.server"
PACKAGE_DIR = str(Path(pitchday.__file__).resolve().parent) + os.sep
CLIENT_GARBAGE = (ValueError, TypeError, KeyError, IndexError)  # JSONDecodeError, UnicodeDecodeError are ValueErrors


def _in_pitchday(tb) -> bool:
    while tb is not None:
        if str(Path(tb.tb_frame.f_code.co_filename).resolve()).startswith(PACKAGE_DIR):
            return True
        tb = tb.tb_next
    return False


class OneLineForGarbage(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            _type, error, tb = record.exc_info
            if isinstance(error, CLIENT_GARBAGE) and not _in_pitchday(tb):
                said = record.getMessage()
                record.msg = "garbage Socket.IO packet refused (%s): %s: %s"
                record.args = (said, type(error).__name__, str(error)[:200])
                record.levelno, record.levelname = logging.WARNING, "WARNING"
                record.exc_info = record.exc_text = None
        return True


def install() -> None:
    logger = logging.getLogger(ENGINEIO_LOGGER)
    if not any(isinstance(f, OneLineForGarbage) for f in logger.filters):
        logger.addFilter(OneLineForGarbage())
