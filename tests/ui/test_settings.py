"""AppSettings: typed values with defaults; nonsense in the file reads as the default, out-of-range values are
clamped, and a setting can be put back to its default."""

from PySide6.QtCore import QSettings

from hwr_desktop.ui.settings import DEFAULTS, LAST_USED, AppSettings


def test_defaults(qsettings):
    s = AppSettings(qsettings)
    assert (s.pen_width, s.pen_color, s.guides, s.guide_spacing) == (3.0, "", True, 80)
    assert (s.live, s.live_delay_ms, s.mode, s.start_mode, s.lexicon) == (True, 300, "auto", LAST_USED, True)
    assert s.start_with == "auto" and set(DEFAULTS) >= {"pen/color", "view/guide_spacing", "recognition/delay_ms"}


def test_nonsense_in_the_file_reads_as_the_default_and_ranges_are_kept(tmp_path):
    path = tmp_path / "hwr.ini"
    path.write_text("[pen]\nwidth=banana\ncolor=notacolor\n[view]\nguides=maybe\nguide_spacing=\n"
                    "[recognition]\ndelay_ms=99999\nmode=greek\nstart_mode=upper\nlive=false\n", encoding="utf-8")
    s = AppSettings(QSettings(str(path), QSettings.Format.IniFormat))
    assert (s.pen_width, s.pen_color, s.guides, s.guide_spacing) == (3.0, "", True, 80)
    assert (s.live_delay_ms, s.mode, s.start_mode, s.start_with, s.live) == (3000, "auto", "upper", "upper", False)


def test_values_are_stored_sensibly_and_restored(qsettings):
    s = AppSettings(qsettings)
    s.pen_color, s.guide_spacing, s.live_delay_ms, s.pen_width, s.start_mode = "red", 5, 450, 99, "digits"
    assert (s.pen_color, s.guide_spacing, s.live_delay_ms, s.pen_width) == ("#ff0000", 30, 450, 20.0)
    assert s.start_with == "digits"
    again = AppSettings(QSettings(qsettings.fileName(), QSettings.Format.IniFormat))
    assert again.pen_color == "#ff0000" and again.live_delay_ms == 450
    s.restore("pen_color")
    s.restore("start_mode")
    assert s.pen_color == "" and s.start_mode == LAST_USED and s.live_delay_ms == 450
