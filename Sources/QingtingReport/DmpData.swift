/// Ocean Engine's DMP upload message (`dmp.proto`, proto2, package `toutiao.dmp` [OE1]):
///
/// ```proto
/// message DmpData { repeated IdItem idList = 1; }        // ≤ 10,000 per line
/// message IdItem {
///     optional uint32 timestamp  = 1;                     // left out: the upload's time
///     required DataType dataType = 2;                     // MOBILE_HASH_SHA256 = 6, …
///     required string id         = 3;                     // lower case
///     repeated string tags       = 4;
/// }
/// ```
///
/// Encoded by hand — varints and length-delimited fields are all it takes — so the package needs
/// no protobuf runtime. Each line of the upload file is the base64 (RFC 4648, padded) of one message.
public enum DmpData {
    /// `IdItem.DataType` values [OE1].
    public static let imei: UInt64 = 0, idfa: UInt64 = 1, uid: UInt64 = 2, imeiMD5: UInt64 = 4, idfaMD5: UInt64 = 5,
        mobileHashSHA256: UInt64 = 6, oaid: UInt64 = 7, oaidMD5: UInt64 = 8

    /// The message's bytes: one `idList` entry per id, each with `dataType` and the id lower-cased.
    public static func encode<Ids: Sequence>(ids: Ids, dataType: UInt64, tags: [String] = []) -> [UInt8]
    where Ids.Element == String {
        var out: [UInt8] = []
        for id in ids {
            var item: [UInt8] = []
            varint(2 << 3 | 0, &item)  // dataType, varint
            varint(dataType, &item)
            bytes(3, Array(id.lowercased().utf8), &item)
            for tag in tags { bytes(4, Array(tag.utf8), &item) }
            bytes(1, item, &out)
        }
        return out
    }

    /// One upload line: the base64 of `encode(ids:dataType:)`.
    public static func base64<Ids: Sequence>(ids: Ids, dataType: UInt64) -> String where Ids.Element == String {
        base64(encode(ids: ids, dataType: dataType))
    }

    static func varint(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// A length-delimited field (wire type 2).
    static func bytes(_ field: UInt64, _ payload: [UInt8], _ out: inout [UInt8]) {
        varint(field << 3 | 2, &out)
        varint(UInt64(payload.count), &out)
        out += payload
    }

    /// Standard base64 with `=` padding.
    public static func base64(_ data: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((data.count + 2) / 3 * 4)
        var i = 0
        while i < data.count {
            let n = min(3, data.count - i)
            let b0 = UInt32(data[i]), b1 = n > 1 ? UInt32(data[i + 1]) : 0, b2 = n > 2 ? UInt32(data[i + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(triple >> 18 & 63)])
            out.append(alphabet[Int(triple >> 12 & 63)])
            out.append(n > 1 ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            out.append(n > 2 ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
