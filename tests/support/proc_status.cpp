#include "support/proc_status.h"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace fathom::test {

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));  // "VmRSS:  1234 kB"
  }
  return -1;
}

uint64_t raise_open_file_limit(uint64_t wanted) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur < wanted) {
    lim.rlim_cur = std::min<rlim_t>(wanted, lim.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &lim);
    ::getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur;
}

}  // namespace fathom::test

#include <dirent.h>
#include <unistd.h>

#include <set>
#include <sstream>

namespace fathom::test {

namespace {

std::set<unsigned long> socket_inodes(pid_t pid) {
  std::set<unsigned long> inodes;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return inodes;
  while (dirent* e = ::readdir(d)) {
    char target[128];
    ssize_t n = ::readlink((dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    std::string link(target, static_cast<size_t>(n));
    if (link.rfind("socket:[", 0) == 0) inodes.insert(std::stoul(link.substr(8)));
  }
  ::closedir(d);
  return inodes;
}

// Inodes of the sockets in LISTEN state on `port`, from /proc/net/tcp.
std::vector<unsigned long> listening_inodes(uint16_t port) {
  std::vector<unsigned long> out;
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // column titles
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string sl, local, remote, state, queues, timer, retransmits, uid, timeout;
    unsigned long inode = 0;
    fields >> sl >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >>
        inode;
    if (state != "0A") continue;  // TCP_LISTEN
    size_t colon = local.find(':');
    if (colon == std::string::npos) continue;
    if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) out.push_back(inode);
  }
  return out;
}

}  // namespace

bool sole_listener(pid_t pid, uint16_t port) {
  std::vector<unsigned long> listeners = listening_inodes(port);
  if (listeners.empty()) return false;
  std::set<unsigned long> mine = socket_inodes(pid);
  for (unsigned long inode : listeners) {
    if (mine.count(inode) == 0) return false;
  }
  return true;
}

}  // namespace fathom::test
