#include "process.hpp"

#include <boost/test/unit_test.hpp>
#include <glib.h>

namespace test_support {

Result run(const std::vector<std::string> &argv, const std::map<std::string, std::string> &env,
           const std::string &stdin_data)
{
    std::vector<char *> args;
    for (const auto &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    gchar **envp = g_get_environ();
    for (const auto &[k, v] : env)
        envp = g_environ_setenv(envp, k.c_str(), v.c_str(), TRUE);

    Result r;
    if (!stdin_data.empty()) {
        // g_spawn_sync has no stdin feed: go through a shell with a here-string file.
        gchar *tmp = nullptr;
        GError *error = nullptr;
        const gint fd = g_file_open_tmp("ostree-ima-stdin-XXXXXX", &tmp, &error);
        BOOST_REQUIRE(fd >= 0);
        BOOST_REQUIRE(write(fd, stdin_data.data(), stdin_data.size()) ==
                      static_cast<ssize_t>(stdin_data.size()));
        close(fd);
        std::string cmd = "exec <" + quote(tmp);
        for (const auto &a : argv)
            cmd += " " + quote(a);
        g_strfreev(envp);
        r = sh(cmd, env);
        unlink(tmp);
        g_free(tmp);
        return r;
    }
    gchar *out = nullptr;
    gchar *err = nullptr;
    gint status = 0;
    GError *error = nullptr;
    const gboolean ok = g_spawn_sync(nullptr, args.data(), envp, G_SPAWN_SEARCH_PATH, nullptr,
                                     nullptr, &out, &err, &status, &error);
    g_strfreev(envp);
    if (!ok) {
        r.err = error->message;
        g_error_free(error);
        return r;
    }
    r.out = out ? out : "";
    r.err = err ? err : "";
    g_free(out);
    g_free(err);
    if (WIFEXITED(status))
        r.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        r.exit_code = 128 + WTERMSIG(status);
    return r;
}

Result sh(const std::string &command, const std::map<std::string, std::string> &env)
{
    return run({"/bin/sh", "-c", command}, env);
}

std::string sh_ok(const std::string &command, const std::map<std::string, std::string> &env)
{
    const Result r = sh(command, env);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "command failed (" << r.exit_code << "): " << command
                                                               << "\nstdout: " << r.out
                                                               << "\nstderr: " << r.err);
    return r.out;
}

std::string quote(const std::string &s)
{
    std::string q = "'";
    for (char c : s) {
        if (c == '\'')
            q += "'\\''";
        else
            q += c;
    }
    return q + "'";
}

} // namespace test_support
