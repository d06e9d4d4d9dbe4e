"""PyInstaller hook for torch, replacing pyinstaller-hooks-contrib's (a user hook wins over it).

The app runs torch on the CPU only: keep its Python code and runtime libraries; leave out the C++ tests and test
libraries, headers, CMake files, protoc, most .py sources, and the helpers that only torch's own test suite imports.
"""

import os

from PyInstaller.utils.hooks import collect_data_files, collect_dynamic_libs, collect_submodules, get_package_paths

# torch's Python code goes into the archive, compiled. Modules that read their own source when imported also ship
# as .py: the config modules (torch.utils._config_module) and those declaring TorchScript overloads (which warn on
# every start without their source). The rest of torch's 40 MB of sources is not needed.
_SOURCE_NEEDED = [
    "torch.functional",
    "torch.nn.functional",
    "torch.nn.modules.rnn",
    "torch.utils._config_module",
    "torch._dynamo.config",
    "torch._inductor.config",
    "torch._inductor.config_comms",
    "torch._functorch.config",
    "torch._export.config",
    "torch.fx.experimental._config",
    "torch.distributed.config",
    "torch.compiler.config",
    "torch.utils.serialization.config",
]
module_collection_mode = {"torch": "pyz", **dict.fromkeys(_SOURCE_NEEDED, "pyz+py")}
warn_on_missing_hiddenimports = False

# torch imports much of itself lazily (by name, at run time), hence every submodule - but not the test suite's
# helpers; the few of those that torch's own modules import statically are still found and kept.
# (packaging/bert-explorer.spec then drops most of the compiler, distributed and export packages: see TRIMMED.)
hiddenimports = collect_submodules("torch", filter=lambda name: not name.startswith("torch.testing._internal"))

datas = collect_data_files(
    "torch",
    excludes=[
        "**/*.h",
        "**/*.hpp",
        "**/*.cuh",
        "**/*.c",
        "**/*.cpp",
        "**/*.cu",
        "**/*.pyi",
        "**/*.cmake",
        "**/*.a",
        "**/*.lib",
        "include/**",
        "share/**",
        "test/**",
        "bin/**",
        "testing/_internal/**",
        "lib/*.so*",  # libraries are binaries, below
    ],
)

# torch/lib: libtorch*, libc10, libgomp, libshm. Not the test and example-backend libraries.
_TEST_LIBS = ("libjitbackend_test", "libtorchbind_test", "libbackend_with_compiler", "libaoti_custom_ops")
binaries = [
    (src, dest)
    for src, dest in collect_dynamic_libs("torch", search_patterns=["*.so", "*.so.*"])
    if not any(name in src for name in _TEST_LIBS) and "/torch/test/" not in src and "/torch/bin/" not in src
]
# torch/bin: only the shared-memory manager, which `import torch` insists on finding (not the C++ test programs).
binaries.append((os.path.join(get_package_paths("torch")[1], "bin", "torch_shm_manager"), "torch/bin"))

# As in the contributed hook: no symbolic links from torch/lib into the top-level folder (they confuse torch).
bindepend_symlink_suppression = ["**/torch/lib/*.so*"]
