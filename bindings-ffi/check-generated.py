#!/usr/bin/env python3
"""Checks the Kotlin and Swift sources `generate.sh OUT_DIR` wrote.

There is no Kotlin or Swift toolchain in CI to compile them, so this checks
what can be checked without one: each file is there, non-empty, declares the
package / module named in uniffi.toml, and names the types and functions hosts
call. It also guards a known clash: a Kotlin exception field named `message`
(Throwable has one) would not compile. Exits 1 naming every problem.
"""

import pathlib
import re
import sys

KOTLIN = {
    "package": r"^package dev\.farmhand\.ffi$",
    "Workspace": r"^open class Workspace\b",
    "AdbDriver": r"^open class AdbDriver\b",
    "SimFleet": r"^open class SimFleet\b",
    "AdbServer": r"^open class AdbServer\b",
    "CancelToken": r"^open class CancelToken\b",
    "Secret": r"^open class Secret\b",
    "ProgressObserver": r"^public interface ProgressObserver\b",
    "KeyProvider": r"^public interface KeyProvider\b",
    "openWithKeys": r"fun `openWithKeys`\(",
    "convertWorkspaceFile": r"fun `convertWorkspaceFile`\(",
    "ChangeObserver": r"^public interface ChangeObserver\b",
    "FarmhandException": r"^sealed class FarmhandException\b",
    "Account": r"^data class Account \(",
    "NewAccount": r"^data class NewAccount \(",
    "AccountPatch": r"^data class AccountPatch \(",
    "ImportReport": r"^data class ImportReport \(",
    "Report": r"^data class Report \(",
    "Platform": r"^enum class Platform\b",
    "Outcome": r"^enum class Outcome\b",
    "ProgressEvent": r"^sealed class ProgressEvent\b",
    "totpCode": r"fun `totpCode`\(",
    "version": r"fun `version`\(",
}

SWIFT = {
    "Workspace": r"^open class Workspace\b",
    "AdbDriver": r"^open class AdbDriver\b",
    "SimFleet": r"^open class SimFleet\b",
    "AdbServer": r"^open class AdbServer\b",
    "CancelToken": r"^open class CancelToken\b",
    "Secret": r"^open class Secret\b",
    "ProgressObserver": r"^public protocol ProgressObserver\b",
    "KeyProvider": r"^public protocol KeyProvider\b",
    "openWithKeys": r"public static func openWithKeys\(",
    "convertWorkspaceFile": r"^public func convertWorkspaceFile\(",
    "ChangeObserver": r"^public protocol ChangeObserver\b",
    "FarmhandError": r"^enum FarmhandError\b",
    "Account": r"^public struct Account\b",
    "NewAccount": r"^public struct NewAccount\b",
    "ImportReport": r"^public struct ImportReport\b",
    "Report": r"^public struct Report\b",
    "Platform": r"^public enum Platform\b",
    "Outcome": r"^public enum Outcome\b",
    "ProgressEvent": r"^public enum ProgressEvent\b",
    "totpCode": r"^public func totpCode\(",
    "version": r"^public func version\(",
}


def check(path: pathlib.Path, expected: dict[str, str]) -> list[str]:
    if not path.is_file() or path.stat().st_size == 0:
        return [f"{path}: missing or empty"]
    text = path.read_text(encoding="utf-8")
    return [
        f"{path}: does not declare {name} (/{pattern}/)"
        for name, pattern in expected.items()
        if not re.search(pattern, text, re.MULTILINE)
    ]


def main() -> int:
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} OUT_DIR", file=sys.stderr)
        return 2
    out = pathlib.Path(sys.argv[1])
    kotlin = out / "dev" / "farmhand" / "ffi" / "farmhand_ffi.kt"
    problems = check(kotlin, KOTLIN)
    problems += check(out / "FarmhandFFI.swift", SWIFT)
    problems += check(out / "farmhand_ffiFFI.h", {"C header": r"farmhand_ffi_fn_method_workspace_add"})
    if kotlin.is_file() and re.search(r"^\s+val `message`:", kotlin.read_text(encoding="utf-8"), re.MULTILINE):
        problems.append(f"{kotlin}: an exception declares a field `message`, which clashes with Throwable.message")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"Kotlin and Swift sources in {out}: {len(KOTLIN)} and {len(SWIFT)} declarations found")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
