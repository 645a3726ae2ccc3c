public import QingtingCore
import QingtingIngest

extension RolePolicy {
    /// One cell of the role × method matrix: whether the role may call the method, and the
    /// declared fields its answers keep (the rest are removed wherever they appear).
    public struct Cell: Sendable, Equatable {
        public var role: String
        public var method: String
        public var allowed: Bool
        /// Sorted; empty when refused.
        public var fields: [String]
        /// Params of the method the role may not pass (they ask by a field it does not see).
        public var refusedParams: [String]
        /// Only for customers on a ticket.
        public var ticketedOnly: Bool
    }

    /// Every role × every method of `methods`, in file and `rpc.discover` order.
    public func matrix(methods: [String] = RPCEngine.methodNames) -> [Cell] {
        roles.flatMap { role in
            methods.map { method in
                let allowed = role.methods.contains(method)
                let refused = fields.filter { !role.fields.contains($0.name) }
                    .flatMap { f in f.params.filter { $0.method == method }.map(\.param) }
                return Cell(role: role.name, method: method, allowed: allowed,
                            fields: allowed ? role.fields.sorted() : [], refusedParams: allowed ? refused.sorted() : [],
                            ticketedOnly: allowed && role.ticketedOnly && Self.scoped(method))
            }
        }
    }

    /// Whether a `customers ticketed` role's scope narrows this method: it names customers and
    /// is not a ticket method (whose customers are on tickets anyway).
    static func scoped(_ method: String) -> Bool {
        guard let data = RPCMethod.all.first(where: { $0.name == method })?.personalData else { return false }
        return !data.ticketBound
    }

    /// `{"role","method","allowed","fields","refused_params","ticketed_only"}` per cell, one a line.
    public func matrixJSONL(methods: [String] = RPCEngine.methodNames) -> String {
        matrix(methods: methods).map { c in
            var w = JSONWriter()
            w.object { w in
                w.member("role", c.role)
                w.member("method", c.method)
                w.member("allowed", c.allowed)
                w.member("fields") { w in w.array(c.fields) { w, f in w.string(f) } }
                w.member("refused_params") { w in w.array(c.refusedParams) { w, p in w.string(p) } }
                w.member("ticketed_only", c.ticketedOnly)
            }
            return w.text + "\n"
        }.joined()
    }

    /// Two Markdown tables (what the README shows): methods × roles (✓ allowed, ✓ᵗ only for
    /// customers on a ticket, — refused) and fields × roles (✓ seen, — removed).
    public func matrixMarkdown(methods: [String] = RPCEngine.methodNames) -> String {
        let names = roles.map(\.name)
        var out = "| method | " + names.joined(separator: " | ") + " |\n"
        out += "|---|" + names.map { _ in "---" }.joined(separator: "|") + "|\n"
        for method in methods {
            let cells = roles.map { r in r.methods.contains(method) ? (r.ticketedOnly && Self.scoped(method) ? "✓ᵗ" : "✓") : "—" }
            out += "| `\(method)` | " + cells.joined(separator: " | ") + " |\n"
        }
        out += "\n| field | " + names.joined(separator: " | ") + " |\n"
        out += "|---|" + names.map { _ in "---" }.joined(separator: "|") + "|\n"
        for field in fields {
            out += "| `\(field.name)` | " + roles.map { $0.fields.contains(field.name) ? "✓" : "—" }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// What `qingting roles check` prints: the file, its version and hash, the fields, each role
    /// with its methods and fields, each grant with whether it is in force at `now`.
    public func summaryJSON(now: Int64, methods: [String] = RPCEngine.methodNames) -> String {
        var w = JSONWriter()
        w.object { w in
            w.member("source", source)
            w.member("version", version)
            w.member("hash", hash)
            w.member("anonymous", anonymous.map(JSONValue.string) ?? .null)
            w.member("fields") { w in
                w.array(fields) { w, f in
                    w.object { w in
                        w.member("name", f.name)
                        w.member("summary", f.summary)
                        w.member("members") { w in w.array(f.selectors) { w, s in w.string(s.description) } }
                        w.member("params") { w in w.array(f.params) { w, p in w.string(p.method + ":" + p.param) } }
                    }
                }
            }
            w.member("roles") { w in
                w.array(roles) { w, r in
                    w.object { w in
                        w.member("name", r.name)
                        w.member("summary", r.summary)
                        w.member("methods") { w in w.array(methods.filter(r.methods.contains)) { w, m in w.string(m) } }
                        w.member("fields") { w in w.array(r.fields.sorted()) { w, f in w.string(f) } }
                        w.member("customers", r.ticketedOnly ? "ticketed" : "all")
                    }
                }
            }
            w.member("grants") { w in
                w.array(grants) { w, g in g.write(to: &w, now: now) }
            }
            w.member("matrix") { w in
                w.object { w in
                    w.member("roles", roles.count)
                    w.member("methods", methods.count)
                    w.member("fields", fields.count)
                    w.member("cells", roles.count * methods.count * fields.count)
                }
            }
        }
        return w.text
    }
}

extension RolePolicy.Grant {
    /// `{"name","summary","role","tokens","until","active"}`, `until` in ISO 8601 UTC.
    public func write(to w: inout JSONWriter, now: Int64) {
        w.object { w in
            w.member("name", name)
            w.member("summary", summary)
            w.member("role", role)
            w.member("tokens") { w in w.array(tokens) { w, t in w.string(t) } }
            w.member("until", Timestamp.iso8601(until))
            w.member("active", isActive(at: now))
        }
    }
}
