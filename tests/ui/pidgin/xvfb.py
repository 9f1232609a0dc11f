#!/usr/bin/env python3
# Offrec UI tests — a private Xvfb and screenshots.
# SPDX-License-Identifier: GPL-2.0-or-later
"""One Xvfb per test run, on a display number it picks itself
(-displayfd), no TCP; stopped by its PID."""

import os
import shutil
import signal
import subprocess
import time


class XvfbError(Exception):
    pass


class Xvfb:
    def __init__(self, size="1280x900x24"):
        self.size = size
        self.proc = None
        self.display = None

    def start(self, timeout=15):
        if shutil.which("Xvfb") is None:
            raise XvfbError("Xvfb is not installed")
        r, w = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(w), "-nolisten", "tcp", "-screen",
             "0", self.size],
            pass_fds=(w,), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(w)
        buf = b""
        deadline = time.monotonic() + timeout
        os.set_blocking(r, False)
        while time.monotonic() < deadline and not buf.endswith(b"\n"):
            try:
                chunk = os.read(r, 64)
                if not chunk:
                    break
                buf += chunk
            except BlockingIOError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        os.close(r)
        if not buf.strip():
            self.stop()
            raise XvfbError("Xvfb did not report a display")
        self.display = ":" + buf.decode().strip()
        return self

    def env(self, base=None):
        env = dict(base if base is not None else os.environ)
        env["DISPLAY"] = self.display
        return env

    def screenshot(self, path):
        """The whole screen as PNG (ImageMagick import); True if written."""
        if shutil.which("import") is None:
            return False
        r = subprocess.run(["import", "-display", self.display, "-window",
                            "root", path], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30)
        return r.returncode == 0 and os.path.exists(path)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
