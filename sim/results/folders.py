"""Result folders on disk: atomic writes, safe replacement, and reading a folder as hostile input.

Writing. :func:`write_folder` writes every file into a hidden temporary sibling
(``.NAME.ptsim-PID-XXXX.partial``), flushes it, adds ``manifest.json`` (format version, SHA-256 and size
of every file) and renames the sibling into place in one step. Replacing (``overwrite``) is allowed only
for a folder that is recognisably a ptsim result (:func:`check_replaceable`): the old folder is renamed
aside (``.NAME.ptsim-PID-XXXX.old``), the new one renamed in, and only then is the old one removed. If
the process dies between two steps, the next write next to it restores or removes what it left
(:func:`clean_stale`): a stale ``.old`` folder whose result is missing is renamed back, stale
``.partial`` folders and ``.tmp`` files are deleted. Only entries named this way by a process that no
longer runs are touched; nothing else is. :func:`atomic_write_file` does the same for one file.

Reading. :func:`read_folder` treats a folder like any user input: the manifest is size-capped JSON of
the expected shape and format version, every listed name must stay inside the folder, no symbolic link is
followed, every file is size-capped and its size and checksum must match before it is used. Every failure
is a :class:`~sim.errors.SimInputError` naming the folder, the file, the value and what was expected.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from sim.errors import SimInputError
from sim.results.csvsafe import neutralise_csv

#: Version of the result-folder layout written by this version; folders of a newer format are refused.
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: Largest manifest read, in bytes.
MAX_MANIFEST_BYTES = 1_000_000
#: Largest single file read from a result folder, in bytes.
MAX_FILE_BYTES = 1 << 30
#: Most files a manifest may list.
MAX_FILES = 10_000
#: Most bytes all the files of one folder may add up to (each is read and its checksum verified). The largest
#: folders ptsim writes (a 20,000-run sweep, 30 replicates of ten years) hold well under 200 MB. Assumption.
MAX_FOLDER_BYTES = 1 << 30

_STALE = re.compile(r"\.(?P<name>.+)\.ptsim-(?P<pid>[0-9]+)-[0-9A-Za-z_]+\.(?P<kind>partial|old|tmp)\Z")


# ---- writing ---------------------------------------------------------------------------------------


def _temp_prefix(name: str) -> str:
    return f".{name}.ptsim-{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def clean_stale(parent: Path, name: str | None = None, *, restore_only: bool = False) -> list[Path]:
    """Tidy what interrupted writes of ptsim left in ``parent`` (optionally only for result ``name``).

    Only entries named ``.NAME.ptsim-PID-XXXX.{partial,old,tmp}`` whose process ``PID`` no longer runs are
    touched: a ``.old`` folder is renamed back to ``NAME`` when ``NAME`` is missing (the interrupted
    replacement loses nothing), otherwise removed; ``.partial`` folders and ``.tmp`` files are removed.
    With ``restore_only`` (a read), nothing is removed: only a ``.old`` result folder is renamed back.

    Returns:
        The entries removed or restored.
    """
    done: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return done
    for entry in entries:
        m = _STALE.match(entry.name)
        if not m or (name is not None and m.group("name") != name) or _alive(int(m.group("pid"))):
            continue
        path = Path(entry.path)
        target = parent / m.group("name")
        try:
            if entry.is_symlink():
                continue
            if m.group("kind") == "old" and not os.path.lexists(target):
                if not os.path.isfile(path / MANIFEST):
                    continue  # only a result folder is put back (a user's folder named like one stays as it is)
                os.rename(path, target)
            elif restore_only:
                continue
            elif entry.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
            done.append(path)
        except OSError:
            continue
    return done


def _check_name(name: str) -> PurePosixPath:
    p = PurePosixPath(name)
    odd = not name or "\\" in name or "\x00" in name or p.is_absolute()
    if odd or any(part in ("", ".", "..") for part in p.parts) or p.as_posix() != name:
        raise ValueError(f"result file name {name!r} must be a relative path inside the folder")
    return p


def _is_cwd_or_ancestor(folder: Path) -> bool:
    try:
        here = Path.cwd().resolve()
    except OSError:
        return False
    real = folder.resolve()
    return real == here or real in here.parents or real == Path.home().resolve() or real == Path(real.anchor)


def check_replaceable(folder: Path, option: str = "output") -> None:
    """Refuse to replace ``folder`` unless it is an empty folder or a complete ptsim result.

    A ptsim result has a readable ``manifest.json`` of a known format, and holds nothing but the files
    the manifest lists (so no file of the user's is lost). Symbolic links, the working folder and its
    ancestors, the home folder and a file-system root are never replaced.

    Raises:
        SimInputError: Naming the folder and why it may not be replaced.
    """
    src = str(folder)
    why = None
    if folder.is_symlink():
        why = "is a symbolic link"
    elif not folder.is_dir():
        why = "is not a folder"
    elif _is_cwd_or_ancestor(folder):
        why = "is the working folder, one of its parents, the home folder or a file-system root"
    if why is None and not any(folder.iterdir()):
        return
    if why is None:
        try:
            entries = _manifest(folder)
        except SimInputError as exc:
            why = f"is not a ptsim result folder ({exc.problems[0].message if exc.problems else exc})"
        else:
            listed = {MANIFEST} | set(entries)
            dirs = {str(PurePosixPath(n).parent) for n in entries} | {
                str(p) for n in entries for p in PurePosixPath(n).parents}
            for root, subdirs, files in os.walk(folder):
                rel = Path(root).relative_to(folder)
                for d in subdirs:
                    r = (rel / d).as_posix()
                    if r not in dirs or (Path(root) / d).is_symlink():
                        why = f"holds {r}/, which is not part of the result"
                for f in files:
                    r = (rel / f).as_posix()
                    if r not in listed:
                        why = f"holds {r}, which is not part of the result"
                if why:
                    break
    if why:
        raise SimInputError.single(
            option, src, f"{why}; --overwrite only replaces a result folder ptsim wrote (choose another folder)")


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _named(exc: OSError, path: Path) -> OSError:
    """The same error naming ``path`` (the file the user asked for, not a hidden temporary)."""
    new = OSError(exc.errno, exc.strerror or str(exc), str(path))
    new.__cause__ = exc
    return new


def write_folder(folder: Path, files: dict[str, bytes], *, overwrite: bool = False,
                 extra_manifest: dict[str, Any] | None = None, unique: bool = False) -> Path:
    """Write ``files`` into ``folder`` atomically, with a manifest of SHA-256 checksums.

    Args:
        folder: The result folder.
        files: Relative file names (``/`` separated, inside the folder) and their bytes.
        overwrite: Replace an existing folder, if :func:`check_replaceable` allows it; the old one is
            removed only after the new one is in place.
        extra_manifest: Extra keys for the manifest (``kind``, ``incomplete``, ...).
        unique: If ``folder`` exists (or appears while writing), write ``folder-2``, ``folder-3``, ...
            instead; the name is claimed by the final rename, so concurrent writers never collide.

    Returns:
        The folder written.

    Raises:
        SimInputError: ``folder`` exists and neither ``overwrite`` nor ``unique`` is set, or it may not
            be replaced.
        OSError: A file-system failure, naming ``folder`` (never a hidden temporary); nothing is left behind.
    """
    folder = Path(os.path.abspath(folder))
    for name in files:
        _check_name(name)
    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _named(exc, folder) from None
    clean_stale(parent, folder.name)
    if os.path.lexists(folder) and not unique:
        if not overwrite:
            raise SimInputError.single("output", str(folder),
                                       "already exists; choose another folder or pass --overwrite")
        check_replaceable(folder)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(folder.name), suffix=".partial", dir=parent))
        os.chmod(tmp, 0o777 & ~_umask())  # (mkdtemp makes it private: the result gets a new folder's usual mode)
    except OSError as exc:
        raise _named(exc, folder) from None
    current = folder
    try:
        manifest: dict[str, Any] = {"format": FORMAT_VERSION, "files": {}}
        if extra_manifest:
            manifest.update(extra_manifest)
        for name, data in files.items():
            if name.endswith(".csv"):
                data = neutralise_csv(data)
            path = tmp / name
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                _write_bytes(path, data)
            except OSError as exc:
                raise _named(exc, folder / name) from None
            manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        try:
            _write_bytes(tmp / MANIFEST, json.dumps(manifest, indent=2).encode())
        except OSError as exc:
            raise _named(exc, folder / MANIFEST) from None
        current = _install(tmp, folder, overwrite=overwrite and not unique, unique=unique)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return current


def _install(tmp: Path, folder: Path, *, overwrite: bool, unique: bool) -> Path:
    """Rename the finished temporary folder into place (see :func:`write_folder`)."""
    if overwrite and os.path.lexists(folder):
        old = folder.with_name(f"{_temp_prefix(folder.name)}{secrets.token_hex(4)}.old")
        os.rename(folder, old)
        try:
            os.rename(tmp, folder)
        except BaseException:
            os.rename(old, folder)
            raise
        shutil.rmtree(old, ignore_errors=True)
        return folder
    for n in range(1, 10_000):
        target = folder if n == 1 else folder.with_name(f"{folder.name}-{n}")
        if os.path.lexists(target):  # an existing entry (even an empty folder) is never replaced here
            if unique:
                continue
            break
        try:
            os.rename(tmp, target)  # fails if another writer's (never empty) folder appeared meanwhile
            return target
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST) or not unique:
                if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                    break
                raise _named(exc, target) from None
    raise SimInputError.single("output", str(folder), "already exists; choose another folder or pass --overwrite")


def check_file_target(path: Path | str, *, overwrite: bool, ours: bytes | None = None) -> Path:
    """Refuse, before any work, a file output that may not be written; returns its absolute path.

    A symbolic link, a folder, a device or a pipe is never replaced; an existing file only with
    ``overwrite``, and with ``ours`` only if its first 64 kB hold those bytes (a file ptsim wrote).
    """
    path = Path(os.path.abspath(path))
    if os.path.islink(path):  # writing through it would replace whatever it points to, wherever that is
        raise SimInputError.single("output", str(path), "is a symbolic link; name the file itself")
    if os.path.lexists(path):
        if not overwrite:
            raise SimInputError.single("output", str(path), "already exists; choose another file or pass --overwrite")
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise SimInputError.single("output", str(path), "is not a regular file (a folder, device or pipe); "
                                       "name a file")
        if ours is not None:
            try:
                with open(path, "rb") as fh:
                    head = fh.read(1 << 16)
            except OSError as exc:
                raise _named(exc, path) from None
            if ours not in head:
                raise SimInputError.single("output", str(path), "was not written by ptsim; --overwrite only replaces "
                                           "ptsim's own files (choose another file)")
    return path


def atomic_write_file(path: Path, data: bytes, *, overwrite: bool = True, ours: bytes | None = None) -> Path:
    """Write one file atomically: a hidden ``.NAME.ptsim-PID-XXXX.tmp`` sibling, flushed, renamed into place.

    A full disk or a kill leaves the old file (or none), never a truncated or empty one; the error
    names ``path``. What may be replaced is decided by :func:`check_file_target`.
    """
    path = check_file_target(path, overwrite=overwrite, ours=ours)
    clean_stale(path.parent, path.name)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(path.name), suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _named(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, 0o644 & ~_umask())
        os.replace(tmp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise _named(exc, path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---- reading -------------------------------------------------------------------------------------


def _bad(folder: Path, name: str, message: str, value: object | None = None) -> SimInputError:
    # (a name comes from the folder's manifest: a line break in it would forge a line of the message)
    return SimInputError.single(str(folder), name.replace("\n", "\\n"), message, value)


def _open_inside(folder: Path, name: str) -> tuple[int, os.stat_result]:
    """Open ``folder/name`` for reading without following any symbolic link; returns (fd, stat)."""
    parts = PurePosixPath(name).parts
    here = folder
    for part in parts[:-1]:
        here = here / part
        try:
            info = os.lstat(here)
        except FileNotFoundError:
            raise _bad(folder, name, "is missing") from None
        if stat.S_ISLNK(info.st_mode):
            raise _bad(folder, name, f"goes through a symbolic link ({part}); result folders hold plain files only")
        if not stat.S_ISDIR(info.st_mode):
            raise _bad(folder, name, f"cannot be read: {part} is not a folder")
    path = folder / name
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise _bad(folder, name, "is missing") from None
    if stat.S_ISLNK(info.st_mode):
        raise _bad(folder, name, "is a symbolic link; result folders hold plain files only")
    if not stat.S_ISREG(info.st_mode):
        raise _bad(folder, name, "is not a regular file")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise _bad(folder, name, f"cannot be read: {exc.strerror or exc}") from None
    return fd, os.fstat(fd)


def _read_capped(folder: Path, name: str, cap: int, expected: int | None = None) -> bytes:
    fd, info = _open_inside(folder, name)
    with os.fdopen(fd, "rb") as fh:
        if info.st_size > cap:
            raise _bad(folder, name, f"is {info.st_size:,} bytes; files in a result folder are capped at {cap:,} bytes")
        if expected is not None and info.st_size != expected:
            raise _bad(folder, name, f"is damaged: {info.st_size:,} bytes, the manifest says {expected:,}")
        return fh.read(cap + 1)


class _DuplicateKey(ValueError):
    """A JSON object with the same key twice (the last would silently win)."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def loads_json(raw: bytes, folder: Path, name: str) -> Any:
    """A JSON file of a result folder: UTF-8, no key twice in an object, nesting within Python's limits."""
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise _bad(folder, name, "has the same key twice in one object; the folder is damaged", str(exc)) from None
    except RecursionError:
        raise _bad(folder, name, "is nested too deeply to be a result file; the folder is damaged") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise _bad(folder, name, f"is not valid JSON ({exc.__class__.__name__}); the folder is damaged") from None


def _manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """The manifest's file entries, checked for shape, format version and confined names."""
    if not folder.is_dir() and not os.path.lexists(folder):  # a replacement killed between its two renames:
        clean_stale(folder.parent, folder.name, restore_only=True)  # restore (a read removes nothing)
    if not folder.is_dir():
        raise _bad(folder, "", "is not a result folder (no such directory)")
    if not os.path.lexists(folder / MANIFEST):
        raise _bad(folder, MANIFEST, "is missing: this is not a complete result folder")
    manifest = loads_json(_read_capped(folder, MANIFEST, MAX_MANIFEST_BYTES), folder, MANIFEST)
    if not isinstance(manifest, dict):
        raise _bad(folder, MANIFEST, "must be a JSON object with format and files", type(manifest).__name__)
    fmt = manifest.get("format")
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt < 1:
        raise _bad(folder, f"{MANIFEST}: format", "must be a whole number >= 1 (the result-folder format)", fmt)
    if fmt > FORMAT_VERSION:
        raise _bad(folder, f"{MANIFEST}: format",
                   f"the folder was written by a newer ptsim (format {fmt}); this version reads format "
                   f"{FORMAT_VERSION} or older: upgrade ptsim", fmt)
    entries = manifest.get("files")
    if not isinstance(entries, dict):
        raise _bad(folder, f"{MANIFEST}: files", "must be an object of file name -> {sha256, bytes}",
                   type(entries).__name__)
    if len(entries) > MAX_FILES:
        raise _bad(folder, f"{MANIFEST}: files", f"lists {len(entries):,} files; at most {MAX_FILES:,} are read")
    for name, info in entries.items():
        try:
            _check_name(name)
        except ValueError:
            raise _bad(folder, f"{MANIFEST}: files", "names a file outside the folder; names must be relative "
                       "paths inside it", name) from None
        if name == MANIFEST:
            raise _bad(folder, f"{MANIFEST}: files", "must not list the manifest itself", name)
        ok = (isinstance(info, dict) and isinstance(info.get("sha256"), str)
              and re.fullmatch(r"[0-9a-f]{64}", info["sha256"]) is not None
              and isinstance(info.get("bytes"), int) and not isinstance(info.get("bytes"), bool) and info["bytes"] >= 0)
        if not ok:
            raise _bad(folder, f"{MANIFEST}: files.{name}",
                       "must be {sha256: 64 hex digits, bytes: a whole number >= 0}", info)
    return entries


def read_manifest(folder: Path) -> dict[str, Any]:
    """The whole manifest of a result folder, checked like :func:`read_folder` checks it."""
    _manifest(folder)
    return loads_json(_read_capped(folder, MANIFEST, MAX_MANIFEST_BYTES), folder, MANIFEST)


def _verified(folder: Path, name: str, expected: int, sha256: str, keep: bool) -> bytes | None:
    """Check one listed file's size and checksum, reading it in pieces; its bytes if ``keep`` (else ``None``)."""
    fd, info = _open_inside(folder, name)
    with os.fdopen(fd, "rb") as fh:
        if info.st_size != expected:
            raise _bad(folder, name, f"is damaged: {info.st_size:,} bytes, the manifest says {expected:,}")
        digest, pieces, size = hashlib.sha256(), [], 0
        while piece := fh.read(1 << 20):
            size += len(piece)
            if size > expected:
                raise _bad(folder, name, f"is damaged: more than the {expected:,} bytes the manifest says")
            digest.update(piece)
            if keep:
                pieces.append(piece)
    if digest.hexdigest() != sha256:
        raise _bad(folder, name, "is damaged (checksum mismatch)")
    return b"".join(pieces) if keep else None


def read_folder(folder: Path, keep: Iterable[str] | None = None) -> dict[str, bytes]:
    """Read a folder written by :func:`write_folder`, verifying sizes and checksums.

    Every listed file is verified; the bytes of those named in ``keep`` (default: all) are returned.

    Raises:
        SimInputError: The folder is missing, not a result folder, of a newer format, or damaged: its
            manifest is malformed, a listed name leaves the folder, a file is missing, a symbolic link,
            over :data:`MAX_FILE_BYTES` (all together over :data:`MAX_FOLDER_BYTES`), or its size or
            checksum differs from the manifest.
    """
    folder = Path(folder)
    entries = _manifest(folder)
    kept = None if keep is None else set(keep)
    for name, info in entries.items():
        if int(info["bytes"]) > MAX_FILE_BYTES:
            raise _bad(folder, name, f"is listed at {int(info['bytes']):,} bytes; files are capped at "
                       f"{MAX_FILE_BYTES:,} bytes")
    total = sum(int(info["bytes"]) for info in entries.values())
    if total > MAX_FOLDER_BYTES:
        raise _bad(folder, MANIFEST, f"lists {total:,} bytes of files; a result folder is read up to "
                   f"{MAX_FOLDER_BYTES:,} bytes")
    out: dict[str, bytes] = {}
    problems = []
    for name, info in entries.items():
        expected = int(info["bytes"])
        try:
            data = _verified(folder, name, expected, info["sha256"], kept is None or name in kept)
        except SimInputError as exc:
            problems.extend(exc.problems)
            continue
        if data is not None:
            out[name] = data
    if problems:
        raise SimInputError(str(folder), problems)
    return out


# ---- decoding the files of a folder ------------------------------------------------------------------


def require(files: dict[str, bytes], names: Iterable[str], folder: Path, what: str) -> None:
    """Refuse a folder that lacks one of ``names`` (it is some other kind of result)."""
    missing = [n for n in names if n not in files]
    if missing:
        raise _bad(folder, "", f"is not {what} (no {', '.join(missing)})")


def json_object(files: dict[str, bytes], name: str, folder: Path) -> dict[str, Any]:
    """A JSON file of the folder that must hold an object."""
    value = loads_json(files[name], folder, name)
    if not isinstance(value, dict):
        raise _bad(folder, name, "must be a JSON object", type(value).__name__)
    return value


def scenario_file(files: dict[str, bytes], name: str, folder: Path, renamed: dict[str, Any] | None = None):
    """A saved scenario, read with the scenario loader's safe YAML rules and validated like any scenario file.

    Fields an earlier version wrote under another name are mapped first where the mapping is exact
    (:func:`sim.results.upgrade.upgrade_scenario`); what was mapped is added to ``renamed`` when given.
    """
    from sim.results.upgrade import upgrade_scenario
    from sim.scenario.loader import parse_yaml, validate_document

    source = f"{folder}/{name}"
    doc, mapped = upgrade_scenario(parse_yaml(files[name], source), source)
    if renamed is not None:
        renamed.update(mapped)
    return validate_document(doc, source)


def table_file(files: dict[str, bytes], name: str, folder: Path, columns: Iterable[str] = (),
               filled: list[str] | None = None):
    """A Parquet table of the folder, with the ``columns`` it must have.

    With ``filled`` (a list), the columns an earlier version did not write yet are added with their
    neutral value (:func:`sim.results.upgrade.fill_new_columns`) and their names appended to it;
    without it, every missing column is refused.
    """
    import pandas as pd

    try:
        df = pd.read_parquet(io.BytesIO(files[name]))
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for damaged bytes
        raise _bad(folder, name, f"is not a readable Parquet table ({exc.__class__.__name__})") from None
    columns = tuple(columns)
    if filled is not None:
        from sim.results.upgrade import fill_new_columns

        filled.extend(fill_new_columns(df, columns))
    missing = [c for c in columns if c not in df.columns]
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise _bad(folder, name, f"lacks the column(s) {', '.join(missing[:5])}{more}")
    return df


def check_runs_table(df: Any, folder: Path, name: str, keys: Iterable[str], seeds: Iterable[int],
                     text: Iterable[str] = ("brand",)) -> None:
    """Refuse a table of many runs that the folder's own metadata does not describe.

    The ``keys`` columns must be there and identify each row once (a row twice would be counted twice);
    ``seed`` (and ``day``) must be whole numbers, the seeds those of ``meta.json``; every column but the
    ``text`` ones must hold numbers.
    """
    import pandas as pd

    keys = list(keys)
    missing = [c for c in keys if c not in df.columns]
    if missing:
        raise _bad(folder, name, f"lacks the column(s) {', '.join(missing)}")
    if not len(df):
        raise _bad(folder, name, "has no rows")
    text = set(text)
    for column in df.columns:
        dtype = df[column].dtype
        if column in text:
            continue
        whole = column in ("seed", "day", "cell")
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype) or (
                whole and not pd.api.types.is_integer_dtype(dtype)):
            raise _bad(folder, f"{name}: {column}", "must hold whole numbers" if whole else "must hold numbers",
                       str(dtype))
    strangers = sorted(set(df["seed"].unique().tolist()) - {int(x) for x in seeds})
    if strangers:
        raise _bad(folder, f"{name}: seed", "holds seeds that meta.json does not list", strangers[:3])
    twice = df.duplicated(keys)
    if twice.any():
        row = df.loc[twice, keys].iloc[0].to_dict()
        raise _bad(folder, name, "has two rows for the same " + ", ".join(keys), row)


def whole_numbers(value: Any, folder: Path, key: str) -> list[int]:
    """``meta.json``'s ``key``: a list of whole numbers (not a string of digits, not true/false)."""
    if not isinstance(value, list) or not value or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise _bad(folder, f"meta.json: {key}", "must be a non-empty list of whole numbers", value)
    return [int(v) for v in value]
