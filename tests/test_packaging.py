"""`pip install .` gives a working package: the wheel (with minitf.kernels mapped from kernels/)
installs into a fresh virtual environment and runs a graph there."""
import pathlib
import subprocess
import sys
import sysconfig
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_wheel_installs_and_runs_in_a_fresh_venv(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True, timeout=540)
    wheel, = wheels.glob("minitf-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    fresh_python = venv / "bin" / "python"
    fresh_site = subprocess.run([str(fresh_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                check=True, capture_output=True, text=True).stdout.strip()
    # Install the wheel by unpacking it (no network); dependencies come from this environment's
    # site-packages on PYTHONPATH, which does not process the editable install's .pth hook.
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", fresh_site,
                    str(wheel)], check=True, capture_output=True, timeout=300)
    program = textwrap.dedent("""
        import sys
        import minitf as tf, minitf.kernels
        assert tf.__file__.startswith(sys.argv[1]), tf.__file__
        assert minitf.kernels.__file__.startswith(sys.argv[1]), minitf.kernels.__file__
        x = tf.Variable(3.0); y = tf.Variable(4.0)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            print(sess.run(x * x * y + y + 2))
    """)
    env = {"PYTHONPATH": sysconfig.get_paths()["purelib"], "PATH": "/usr/bin:/bin"}
    result = subprocess.run([str(fresh_python), "-c", program, fresh_site], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "42.0"
