use robofleet_api::{ParamValue, Params};
use serde_json::{Map, Number, Value};

/// Params as a JSON object (ints stay ints, floats floats).
pub fn params_to_json(params: &Params) -> Value {
    let mut map = Map::new();
    for (k, v) in &params.0 {
        let j = match v {
            ParamValue::Int(i) => Value::from(*i),
            ParamValue::Float(f) => Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            ParamValue::Bool(b) => Value::Bool(*b),
            ParamValue::Str(s) => Value::String(s.clone()),
        };
        map.insert(k.clone(), j);
    }
    Value::Object(map)
}

/// A JSON object of scalars as Params; anything else is a clear error.
pub fn json_to_params(value: &Value) -> Result<Params, String> {
    let Value::Object(map) = value else {
        return Err("params must be a JSON object of name -> number, bool or string".into());
    };
    let mut params = Params::new();
    for (k, v) in map {
        let pv = match v {
            Value::Bool(b) => ParamValue::Bool(*b),
            Value::String(s) => ParamValue::Str(s.clone()),
            Value::Number(n) if n.is_u64() && n.as_i64().is_none() => {
                return Err(format!("param {k}: integer {n} is out of range"))
            }
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => ParamValue::Int(i),
                (None, Some(f)) if f.is_finite() => ParamValue::Float(f),
                _ => return Err(format!("param {k}: number out of range")),
            },
            _ => return Err(format!("param {k}: must be a number, bool or string")),
        };
        params.0.insert(k.clone(), pv);
    }
    Ok(params)
}

/// A TOML table of scalars as Params (for `<robot>.toml` files).
pub fn toml_to_params(table: &toml::Table) -> Result<Params, String> {
    let json = serde_json::to_value(table).map_err(|e| e.to_string())?;
    json_to_params(&json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let v = serde_json::json!({"fast": 3, "k": 1.5, "on": true, "mode": "x"});
        let p = json_to_params(&v).unwrap();
        assert_eq!(p.i64("fast"), Some(3));
        assert_eq!(p.f64("k"), Some(1.5));
        assert_eq!(params_to_json(&p), v);
        assert!(json_to_params(&serde_json::json!([1])).is_err());
        assert!(json_to_params(&serde_json::json!({"a": [1]})).is_err());
        assert!(json_to_params(&serde_json::json!({"a": u64::MAX})).is_err());
    }
}
